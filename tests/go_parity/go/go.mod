module gosync.test/parity

go 1.19
