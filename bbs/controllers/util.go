package controllers

import (
	"sort"
	"strconv"
)

func sortInts(v []int) { sort.Ints(v) }

func itoa(i int) string { return strconv.Itoa(i) }
