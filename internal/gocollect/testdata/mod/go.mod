// Module m is gocollect's test tree: the table tests and the oracle test
// (which runs the real go test here) both read it.
module "example.com/m" // quoted, with a comment

go 1.25

ignore ./ignored
