# airlog-serve (tools/serve, Go on the cgo binding): `airlog serve` and the delivery of
# `airlog parse --push`. Built beside the airlog CLI, which runs it. Not under sanitizers: a Go
# program linking the sanitized libairlog would need the sanitizer runtime. Its modules come from
# the Go module proxy (go.sum pins them).
find_program(AIRLOG_GO go)
set(AIRLOG_SERVE_OK OFF)
if(AIRLOG_GO AND NOT AIRLOG_SANITIZE AND TARGET airlog_shared)
  execute_process(COMMAND ${AIRLOG_GO} env GOVERSION OUTPUT_VARIABLE _go_version OUTPUT_STRIP_TRAILING_WHITESPACE)
  string(REGEX MATCH "go([0-9]+)\\.([0-9]+)" _ "${_go_version}")
  if(CMAKE_MATCH_1 GREATER 1 OR CMAKE_MATCH_2 GREATER_EQUAL 25)
    set(AIRLOG_SERVE_OK ON)
  else()
    message(WARNING "airlog-serve needs Go 1.25 or newer (tools/serve/go.mod) (found ${_go_version}); `airlog serve` and --push are not built")
  endif()
endif()

if(AIRLOG_SERVE_OK)
  set(AIRLOG_SERVE_ENV
    "CGO_ENABLED=1" "CGO_CFLAGS=-I${PROJECT_SOURCE_DIR}/include"
    "CGO_LDFLAGS=-L$<TARGET_FILE_DIR:airlog_shared> -Wl,-rpath,$<TARGET_FILE_DIR:airlog_shared>"
    "GOFLAGS=-mod=mod -buildvcs=false")
  add_custom_target(airlog_serve ALL
    COMMAND ${CMAKE_COMMAND} -E env ${AIRLOG_SERVE_ENV}
      ${AIRLOG_GO} build -o ${PROJECT_BINARY_DIR}/airlog-serve ./cmd/airlog-serve
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tools/serve
    BYPRODUCTS ${PROJECT_BINARY_DIR}/airlog-serve
    COMMENT "Building airlog-serve (Go)"
    VERBATIM)
  add_dependencies(airlog_serve airlog_shared)
  install(PROGRAMS ${PROJECT_BINARY_DIR}/airlog-serve DESTINATION ${CMAKE_INSTALL_BINDIR})

  # A real store for the end-to-end tests: VictoriaLogs, built once into build/tools/bin.
  add_test(NAME VictoriaLogsInstall COMMAND bash ${PROJECT_SOURCE_DIR}/tools/victoria-logs.sh install)
  set_tests_properties(VictoriaLogsInstall PROPERTIES FIXTURES_SETUP victoria_logs TIMEOUT 600)

  # gofmt and vet, the Go packages' unit tests, then airlog serve end to end against VictoriaLogs
  # (tools/serve/test.sh).
  get_filename_component(_go_dir ${AIRLOG_GO} DIRECTORY)
  add_test(NAME ServeGo
    COMMAND ${CMAKE_COMMAND} -E env ${AIRLOG_SERVE_ENV}
      "AIRLOG_VL_BIN=${PROJECT_SOURCE_DIR}/build/tools/bin/victoria-logs"
      "AIRLOG_SERVE_BIN=${PROJECT_BINARY_DIR}/airlog-serve"
      "AIRLOG_CLI_BIN=$<TARGET_FILE:airlog_cli>"
      "AIRLOG_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
      "PATH=${_go_dir}:$ENV{PATH}"
      bash ${PROJECT_SOURCE_DIR}/tools/serve/test.sh
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tools/serve)
  set_tests_properties(ServeGo PROPERTIES FIXTURES_REQUIRED victoria_logs TIMEOUT 900 RUN_SERIAL TRUE)

  # Go native fuzzing of the push decoding (protobuf, snappy, JSON, gzip; tools/serve/fuzz.sh):
  # each target for FUZZ_SECONDS from the environment, 20 by default (`make fuzz` sets it).
  add_test(NAME ServeGoFuzz
    COMMAND ${CMAKE_COMMAND} -E env ${AIRLOG_SERVE_ENV} "PATH=${_go_dir}:$ENV{PATH}"
      bash ${PROJECT_SOURCE_DIR}/tools/serve/fuzz.sh
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tools/serve)
  set_tests_properties(ServeGoFuzz PROPERTIES TIMEOUT 3600 LABELS fuzz)
endif()

