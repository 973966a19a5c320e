package main

import (
	"regexp"
	"strings"
)

// replaceStage removes every match of re from a line (Alloy's stage.replace with an empty
// replacement), here the ANSI colour escapes, in a line that holds an ESC byte.
type replaceStage struct {
	re *regexp.Regexp
}

func (s replaceStage) Process(line string) string {
	if strings.IndexByte(line, 0x1b) < 0 {
		return line
	}
	return s.re.ReplaceAllString(line, "")
}
