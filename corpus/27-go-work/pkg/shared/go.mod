module github.com/acme/shared

go 1.22
