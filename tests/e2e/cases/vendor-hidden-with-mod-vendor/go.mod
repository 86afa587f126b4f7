module example.com/vendor-hidden-with-mod-vendor

go 1.22

require example.com/greet v1.0.0
