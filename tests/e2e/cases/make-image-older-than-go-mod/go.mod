module example.com/make-image-older-than-go-mod

go 1.23

require example.com/greet v1.0.0
