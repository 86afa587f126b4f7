module git.corp.example.net/platform/svc

go 1.22

require (
	git.corp.example.net/platform/lib v0.4.0
	github.com/google/uuid v1.6.0
)
