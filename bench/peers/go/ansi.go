package main

import "regexp"

// replaceStage removes every match of re from a line (Alloy's stage.replace with an empty
// replacement), here the ANSI colour escapes; the pipeline calls it for lines that hold an ESC byte.
type replaceStage struct {
	re *regexp.Regexp
}

func (s replaceStage) Process(line string) string {
	return s.re.ReplaceAllString(line, "")
}
