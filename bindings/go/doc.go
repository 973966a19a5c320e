// Package airlog parses raw Apache Airflow logs into structured events through airlog's stable C
// API (include/airlog/airlog.h, libairlog.so.0).
//
// Compile the rules once per process, then make one Parser per log source:
//
//	db, err := airlog.Compile()
//	if err != nil { ... }
//	defer db.Close()
//	p, err := airlog.NewParser(db, airlog.Options{TimeZone: "Europe/Paris"}, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log")
//	if err != nil { ... }
//	defer p.Close()
//	for {
//		n, err := f.Read(buf)             // any size, may end mid-line
//		events, ferr := p.Feed(buf[:n])   // one cgo call for the whole chunk
//		...
//		if err == io.EOF { break }
//	}
//	events, err := p.Flush()                // end of the source
//
// Every call crosses into C once per batch (a chunk, a poll, a flush), never once per line: a
// cgo call costs on the order of 100 ns, airlog spends well under that per line.
//
// Lifetime: the strings of an Event are immutable Go strings that stay valid for as long as they
// are referenced, whatever happens to the chunk passed in. To make this cheap, a call copies its
// chunk once into one Go string and every event of the call slices it; holding one small string
// keeps that whole copy alive, so use strings.Clone on a field kept for long.
//
// Threads: a Database may be shared by any number of goroutines; a Parser is used by one
// goroutine at a time (one per source). Go memory is never kept by the C library after a call.
package airlog
