package main

import "fmt"

func main() {
	fmt.Println("hello go-run-at-start-image-older")
}
