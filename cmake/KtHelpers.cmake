# Small wrappers so every folder declares its targets the same way.
#   kt_library(kt_base SRCS a.cc b.cc DEPS kt_x PUBLIC_DEPS Boost::headers)
#   kt_test(base_status_test SRCS status_test.cc DEPS kt_base [LABELS gpu])
#   kt_bench(bench_apiserver SRCS ... DEPS ...)
#   kt_binary(kaito-twin SRCS main.cc DEPS ...)

set(KT_WARNINGS -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers)

function(kt_module_enabled dir out)
  if(KT_MODULES STREQUAL "all")
    set(${out} TRUE PARENT_SCOPE)
    return()
  endif()
  foreach(m IN LISTS KT_MODULES)
    string(LENGTH "${m}/" mlen)
    string(SUBSTRING "${dir}/" 0 ${mlen} prefix)
    if(dir STREQUAL m OR prefix STREQUAL "${m}/")
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

function(kt_apply_flags target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${KT_WARNINGS}>)
  target_include_directories(${target} PUBLIC ${CMAKE_SOURCE_DIR})
endfunction()

# Executables (binaries, tests, benchmarks) link the project's allocator (KtDependencies.cmake).
function(kt_link_allocator target)
  if(KT_HUGE_PAGE_HEAP)
    target_link_libraries(${target} PRIVATE kt_huge_page_heap)
  endif()
  if(KT_ALLOCATOR_LIB)
    target_link_libraries(${target} PRIVATE ${KT_ALLOCATOR_LIB})
  endif()
endfunction()

# Compiles a text data file into a C++ source defining
#   std::string_view <namespace>::<function>()   // the file's text
# and returns the generated source's path in <out_var>; editing the file re-runs configure.
#   kt_embed_text(<out_var> <file> <namespace> <function>)
function(kt_embed_text out_var file ns fn)
  file(READ ${file} content)
  string(FIND "${content}" ")kt_embedded\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains the raw-string delimiter )kt_embedded\"")
  endif()
  get_filename_component(base ${file} NAME_WE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${base}.cc)
  file(CONFIGURE OUTPUT ${out} CONTENT "// Generated at configure time from ${file}; do not edit.
#include <string_view>

namespace ${ns} {

std::string_view ${fn}() {
  static constexpr char kData[] = R\"kt_embedded(@content@)kt_embedded\";
  return std::string_view(kData, sizeof(kData) - 1);
}

}  // namespace ${ns}
" @ONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${file})
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()

function(kt_library name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SRCS})
  kt_apply_flags(${name})
  target_link_libraries(${name} PUBLIC ${A_DEPS} ${A_PUBLIC_DEPS})
endfunction()

function(kt_binary name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  kt_apply_flags(${name})
  target_link_libraries(${name} PRIVATE ${A_DEPS})
  kt_link_allocator(${name})
endfunction()

include(GoogleTest)
function(kt_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  kt_apply_flags(${name})
  # A test's own sources are setup and assertions; the code under test keeps the build type's
  # optimisation. -O1 compiles them about a quarter faster than Release's -O3 (CI has 2 cores).
  target_compile_options(${name} PRIVATE $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Release>>:-O1>)
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  kt_link_allocator(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set(props TIMEOUT ${A_TIMEOUT})
  if(A_LABELS)
    list(APPEND props LABELS "${A_LABELS}")
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES ${props}
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endfunction()

function(kt_bench name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  kt_apply_flags(${name})
  target_link_libraries(${name} PRIVATE ${A_DEPS} benchmark::benchmark benchmark::benchmark_main)
  kt_link_allocator(${name})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
endfunction()

# libFuzzer target (configure with CC=clang CXX=clang++ -DKT_FUZZ=ON). Registered as a short
# ctest run so CI exercises every parser with the sanitizers on.
function(kt_fuzz name)
  cmake_parse_arguments(A "" "RUNS_SECONDS" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  kt_apply_flags(${name})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${A_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  set_property(GLOBAL APPEND PROPERTY KT_FUZZ_TARGETS ${name})
  if(NOT A_RUNS_SECONDS)
    set(A_RUNS_SECONDS 10)
  endif()
  add_test(NAME ${name} COMMAND ${name} -max_total_time=${A_RUNS_SECONDS} -rss_limit_mb=2048)
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()

# A test run by a script against built binaries, usually driving a real client (kubectl,
# python3-kubernetes, node). The script gets KT_BUILD_DIR, KT_SOURCE_DIR, KT_SHARED_DIR and a
# NODE_PATH with the npm clients of tests/clients. Debian's /usr/bin/python3 is the Python
# (python3-kubernetes is installed for it).
#   kt_script_test(apiserver_kubectl COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/kubectl_test.sh
#                  DEPENDS kaito-twin LABELS clients)
function(kt_script_test name)
  cmake_parse_arguments(A "" "TIMEOUT" "COMMAND;DEPENDS;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND ${A_COMMAND} WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${A_TIMEOUT}
    LABELS "${A_LABELS}"
    ENVIRONMENT "KT_BUILD_DIR=${CMAKE_BINARY_DIR};KT_SOURCE_DIR=${CMAKE_SOURCE_DIR};KT_SHARED_DIR=${CMAKE_SOURCE_DIR}/../shared;NODE_PATH=${CMAKE_SOURCE_DIR}/tests/clients/node_modules;PYTHON=/usr/bin/python3")
endfunction()
