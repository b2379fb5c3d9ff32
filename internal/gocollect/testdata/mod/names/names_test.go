package names

import "testing"

func Test(t *testing.T)       {}
func Test_x(t *testing.T)     {}
func Test1(t *testing.T)      {}
func TestÉcole(t *testing.T)  {}
func Testing(t *testing.T)    {}
func Testfoo(t *testing.T)    {}
func Testécole(t *testing.T)  {}
func TestMain(t *testing.T)   {} // an ordinary test: it takes *testing.T
func Fuzz(f *testing.F)       {}
func FuzzParse(f *testing.F)  { f.Fuzz(func(t *testing.T, s string) {}) }
func Fuzzy(f *testing.F)      {}
func Benchmark(b *testing.B)  {}
func BenchmarkX(b *testing.B) {}
func Examplelower()           {}
func ExampleWithArg(n int)    {}
func notATest(t *testing.T)   {}

var TestVar = func(t *testing.T) {}

type T struct{}

func (T) TestMethod(t *testing.T)  {}
func (*T) FuzzMethod(f *testing.F) {}
