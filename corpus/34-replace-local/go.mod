module github.com/acme/app

go 1.22

require (
	github.com/acme/lib v0.0.0
	github.com/google/uuid v1.6.0
)

replace github.com/acme/lib => ./third_party/lib
