module example.com/vendor-and-package-hidden

go 1.22

require example.com/greet v1.0.0
