module example.com/copy-go-sum-without-go-sum

go 1.22
