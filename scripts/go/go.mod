module gosync.bench/wakeup

go 1.19
