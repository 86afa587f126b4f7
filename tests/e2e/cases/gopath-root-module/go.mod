module example.com/gopath-root-module

go 1.22

require example.com/greet v1.0.0
