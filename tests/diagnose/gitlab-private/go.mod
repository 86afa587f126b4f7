module example.com/app

go 1.22

require git.acme.corp/team/lib v1.2.0
