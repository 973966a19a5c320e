package airlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// Every Loki field is the contract's value of its key, and every contract key with a Loki role
// that an event carries is there: the two come from the same field table.
func TestLokiFieldsAreTheContractValues(t *testing.T) {
	var r FieldRenderer
	var fields []LokiField
	seen := map[string]bool{}
	for _, g := range goldens(t) {
		p := newParser(t, Options{}, g.path)
		events := feedAll(t, p, g.log, 0)
		lines := bytes.Split(bytes.TrimSuffix(render(t, events), []byte("\n")), []byte("\n"))
		for i := range events {
			var contract map[string]any
			d := json.NewDecoder(bytes.NewReader(lines[i]))
			d.UseNumber()
			if err := d.Decode(&contract); err != nil {
				t.Fatal(err)
			}
			var err error
			if fields, err = r.AppendLokiFields(fields[:0], &events[i], 0); err != nil {
				t.Fatal(err)
			}
			for _, f := range fields {
				v, ok := contract[f.Name]
				if !ok {
					t.Fatalf("%s event %d: %s=%q is not in the contract line %s", g.name, i, f.Name, f.Value, lines[i])
				}
				want := fmt.Sprint(v)
				if raw, isObject := v.(map[string]any); isObject {
					b, _ := json.Marshal(raw)
					want = string(b)
					var got map[string]any
					if json.Unmarshal([]byte(f.Value), &got) != nil || len(got) != len(raw) {
						t.Fatalf("%s: %s=%q is not the object %s", g.name, f.Name, f.Value, want)
					}
					continue
				}
				if f.Value != want {
					t.Fatalf("%s event %d: %s=%q, contract says %q", g.name, i, f.Name, f.Value, want)
				}
				if !f.Label && !f.Metadata {
					t.Fatalf("%s has no Loki role", f.Name)
				}
				seen[f.Name] = true
			}
			for _, key := range []string{"dag_id", "task_id", "run_id", "level", "component"} {
				if _, ok := contract[key]; ok && !containsField(fields, key) {
					t.Fatalf("%s event %d: contract has %s, the Loki fields do not", g.name, i, key)
				}
			}
		}
	}
	for _, key := range []string{"component", "level", "dag_id", "task_id", "run_id", "try_number", "state", "event", "exception_type", "logical_date"} {
		if !seen[key] {
			t.Errorf("no golden event gave the Loki field %s", key)
		}
	}
	// Cut on a character boundary: "é" is two bytes.
	e := Event{Message: "x", DagID: "ééé", Component: ComponentTask}
	fields, _ = r.AppendLokiFields(fields[:0], &e, 3)
	for _, f := range fields {
		if f.Name == "dag_id" && f.Value != "é" {
			t.Fatalf("dag_id cut to %q", f.Value)
		}
	}
}

func containsField(fs []LokiField, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

// A parser with SetLokiFields gives each event the fields a FieldRenderer gives it, also when its
// results come in several rounds (tiny buffers) and across chunks.
func TestParserRendersLokiFields(t *testing.T) {
	var r FieldRenderer
	for _, g := range goldens(t) {
		for _, tiny := range []bool{false, true} {
			p := newParser(t, Options{}, g.path)
			p.SetLokiFields(64)
			if tiny {
				p.bufs = newBuffers(1, 1)
			}
			events := feedAll(t, p, g.log, 7)
			for i := range events {
				got, ok := events[i].AppendLokiFields(nil)
				if !ok {
					t.Fatalf("%s event %d: no Loki fields", g.name, i)
				}
				want, err := r.AppendLokiFields(nil, &events[i], 64)
				if err != nil {
					t.Fatal(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("%s event %d (tiny %v):\n got %v\nwant %v", g.name, i, tiny, got, want)
				}
			}
		}
	}
	var e Event
	if _, ok := e.AppendLokiFields(nil); ok {
		t.Error("an event from a parser without SetLokiFields claims Loki fields")
	}
}
