module example.com/shortlinks

go 1.19
