module example.com/app

go 1.23

require example.com/greet v1.0.0
