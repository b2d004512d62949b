module pt

go 1.19
