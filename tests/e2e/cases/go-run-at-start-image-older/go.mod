module example.com/go-run-at-start-image-older

go 1.23
