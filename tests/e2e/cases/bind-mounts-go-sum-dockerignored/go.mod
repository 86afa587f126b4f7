module example.com/bind-mounts-go-sum-dockerignored

go 1.22

require example.com/greet v1.0.0
