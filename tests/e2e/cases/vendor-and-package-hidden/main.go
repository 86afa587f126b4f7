package main

import (
	"fmt"

	"example.com/greet"
	"example.com/vendor-and-package-hidden/internal/banner"
)

func main() {
	fmt.Println(banner.Wrap(greet.Hello("vendor-and-package-hidden")))
}
