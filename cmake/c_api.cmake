# cmake/c_api.cmake — the stable C API (include/airlog/airlog.h): libairlog.so.0, its tests, the C
# example and the Go binding's tests. Included by the top-level CMakeLists.txt.
enable_language(C)

# src/capi/c_api.cpp compiled once: into the shared library and into the GoogleTest executable (which
# compares it with the C++ API in-process, without a second copy of the core behind a .so).
add_library(airlog_c_api OBJECT src/capi/c_api.cpp)
target_include_directories(airlog_c_api PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_definitions(airlog_c_api PRIVATE AIRLOG_BUILDING_LIBRARY)
target_compile_options(airlog_c_api PRIVATE -Wall -Wextra -Wno-unused-parameter)
target_link_libraries(airlog_c_api PRIVATE airlog::airlog)
set_target_properties(airlog_c_api PROPERTIES CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)

# libairlog.so.0: hidden visibility, the static core's symbols kept local (--exclude-libs) and a
# version script that exports airlog_* and nothing else.
add_library(airlog_shared SHARED $<TARGET_OBJECTS:airlog_c_api>)
add_library(airlog::airlog_c ALIAS airlog_shared)
target_include_directories(airlog_shared INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(airlog_shared PRIVATE airlog::airlog)
target_link_options(airlog_shared PRIVATE
  "LINKER:--version-script=${CMAKE_CURRENT_LIST_DIR}/airlog_c_api.map"
  "LINKER:--exclude-libs,ALL")
if(NOT AIRLOG_SANITIZE AND NOT AIRLOG_TSAN)
  target_link_options(airlog_shared PRIVATE "LINKER:--no-undefined")
endif()
set_target_properties(airlog_shared PROPERTIES
  OUTPUT_NAME airlog
  EXPORT_NAME airlog_c
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/airlog_c_api.map)

install(TARGETS airlog_shared EXPORT airlogTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
configure_file(${CMAKE_CURRENT_LIST_DIR}/airlog-c.pc.in ${PROJECT_BINARY_DIR}/airlog-c.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/airlog-c.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# examples/c: C99 programs over the shared library.
add_executable(airlog_c_tail examples/c/tail.c)
set_target_properties(airlog_c_tail PROPERTIES OUTPUT_NAME airlog-tail C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
target_compile_options(airlog_c_tail PRIVATE -Wall -Wextra -Wpedantic)
target_link_libraries(airlog_c_tail PRIVATE airlog::airlog_c)

if(AIRLOG_BUILD_TESTS)
  # tests/c_api_test.cpp is globbed into airlog_tests: give it the C API.
  target_link_libraries(airlog_tests PRIVATE airlog_c_api)

  add_test(NAME CApiExportedSymbols
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/c_api_symbols_test.sh $<TARGET_FILE:airlog_shared>
            ${PROJECT_SOURCE_DIR}/include/airlog/airlog.h)
  add_test(NAME CExampleTail
    COMMAND bash ${PROJECT_SOURCE_DIR}/tests/c_example_test.sh $<TARGET_FILE:airlog_c_tail> ${PROJECT_SOURCE_DIR})

  # The installed header, .so, airlog-c.pc and CMake target serve a C consumer. Not under
  # sanitizers (the consumer would need the sanitizer runtime).
  if(NOT AIRLOG_SANITIZE)
    add_test(NAME CApiInstallAndConsume
      COMMAND bash ${PROJECT_SOURCE_DIR}/tests/c_api_install_test.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  endif()

  # The Go binding: `go test` against this build's libairlog.so. Not under sanitizers (the Go
  # test binary would need the sanitizer runtime).
  find_program(AIRLOG_GO go)
  if(AIRLOG_GO AND NOT AIRLOG_SANITIZE)
    add_test(NAME GoBinding
      COMMAND ${CMAKE_COMMAND} -E env
        "CGO_LDFLAGS=-L$<TARGET_FILE_DIR:airlog_shared> -Wl,-rpath,$<TARGET_FILE_DIR:airlog_shared>"
        "LD_LIBRARY_PATH=$<TARGET_FILE_DIR:airlog_shared>"
        "GOCACHE=${PROJECT_BINARY_DIR}/go/cache" "GOPATH=${PROJECT_BINARY_DIR}/go/path"
        "GOFLAGS=-buildvcs=false" "GOPROXY=off" "GO111MODULE=on" "CGO_ENABLED=1"
        "AIRLOG_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
        ${AIRLOG_GO} test -count=1 ./...
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/bindings/go)
    set_tests_properties(GoBinding PROPERTIES TIMEOUT 600)
  endif()
endif()

# bench/c_api_bench.cpp (globbed into airlog_bench) measures the C layer itself.
if(TARGET airlog_bench)
  target_link_libraries(airlog_bench PRIVATE airlog_c_api)
endif()
