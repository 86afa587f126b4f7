package main

import (
	"fmt"
)

func main() {
	fmt.Println("hello copy-go-sum-without-go-sum without dependencies")
}
