module example.com/target-arch-default-two-platforms

go 1.22

require example.com/greet v1.0.0
