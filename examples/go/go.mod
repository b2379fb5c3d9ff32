module example.com/xshard-demo

go 1.22
