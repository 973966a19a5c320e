// airlog/airlog.hpp — umbrella header of the C++ API.
//
// airlog turns raw Apache Airflow logs (every component, Airflow 1.10–3.x layouts) into structured
// events. The three objects: a Database (compiled rules, shared by all threads), a Scratch (one
// per thread) and a Stream (one per log source). See README.md for a complete example.
#pragma once

#include "airlog/batch.hpp"
#include "airlog/database.hpp"
#include "airlog/event.hpp"
#include "airlog/fields.hpp"
#include "airlog/json_writer.hpp"
#include "airlog/logfmt_writer.hpp"
#include "airlog/loki_writer.hpp"
#include "airlog/options.hpp"
#include "airlog/otlp_writer.hpp"
#include "airlog/scratch.hpp"
#include "airlog/sink.hpp"
#include "airlog/stats.hpp"
#include "airlog/stream.hpp"
#include "airlog/types.hpp"
#include "airlog/version.hpp"
