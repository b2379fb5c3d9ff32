package e

import "testing"

func TestE1(t *testing.T)    {}
func TestE2(t *testing.T)    {}
func TestE3(t *testing.T)    {}
func TestE4(t *testing.T)    {}
func TestParse(t *testing.T) {}
