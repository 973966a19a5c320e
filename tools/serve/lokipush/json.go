package lokipush

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// jsonRequest is Loki's JSON push body:
// {"streams":[{"stream":{"name":"value"},"values":[["<unix ns>","line"],["<ns>","line",{"k":"v"}]]}]}
type jsonRequest struct {
	Streams []struct {
		Stream map[string]string   `json:"stream"`
		Values [][]json.RawMessage `json:"values"`
	} `json:"streams"`
}

// DecodeJSON decodes an uncompressed JSON push body.
func DecodeJSON(raw []byte) (*Request, error) {
	var jr jsonRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&jr); err != nil {
		return nil, badf("json: %v", err)
	}
	req := &Request{Streams: make([]Stream, 0, len(jr.Streams))}
	for si, js := range jr.Streams {
		var s Stream
		for name, value := range js.Stream {
			if !ValidLabelName(name) {
				return nil, badf("invalid label name %q", clip(name))
			}
			s.Labels = append(s.Labels, Label{name, value})
		}
		if len(s.Labels) == 0 {
			return nil, badf("stream %d without labels", si)
		}
		var err error
		if s.Labels, err = SortLabels(s.Labels); err != nil {
			return nil, err
		}
		s.Entries = make([]Entry, 0, len(js.Values))
		for vi, v := range js.Values {
			if len(v) < 2 || len(v) > 3 {
				return nil, badf("stream %d value %d: want [\"<unix ns>\", \"line\"(, {metadata})]", si, vi)
			}
			var ts, line string
			if err := json.Unmarshal(v[0], &ts); err != nil {
				return nil, badf("stream %d value %d: timestamp is not a string", si, vi)
			}
			ns, err := strconv.ParseInt(ts, 10, 64)
			if err != nil || ns < 0 {
				return nil, badf("stream %d value %d: timestamp %q is not Unix nanoseconds", si, vi, clip(ts))
			}
			if err := json.Unmarshal(v[1], &line); err != nil {
				return nil, badf("stream %d value %d: line is not a string", si, vi)
			}
			e := Entry{TimeNs: ns, Line: line}
			if len(v) == 3 {
				var meta map[string]string
				if err := json.Unmarshal(v[2], &meta); err != nil {
					return nil, badf("stream %d value %d: structured metadata is not an object of strings", si, vi)
				}
				for k, val := range meta {
					if k == "" { // as the protobuf decoder: Loki has no metadata without a name
						return nil, badf("stream %d value %d: structured metadata with an empty name", si, vi)
					}
					e.Metadata = append(e.Metadata, Label{k, val})
				}
				if _, err := SortLabels(e.Metadata); err != nil {
					return nil, err
				}
			}
			s.Entries = append(s.Entries, e)
		}
		req.Streams = append(req.Streams, s)
	}
	return req, nil
}
