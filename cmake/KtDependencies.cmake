# Every dependency is a Debian 12 package (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)

# In fuzz builds every library of ours gets the sanitizers and coverage feedback, so the fuzz
# targets explore (and check) the parsers they call, not only their own entry points. Json
# objects move their members on every insert and erase there, so a reference held across one is
# reported (base/json_object_map.h).
if(KT_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_compile_definitions(KT_JSON_OBJECT_MAP_CHECKED)
  add_link_options(-fsanitize=address,undefined)
endif()

# The allocator of our executables. The object model is trees of small nodes; gperftools'
# tcmalloc (Debian libgoogle-perftools-dev) makes their allocation and release about half as
# costly as glibc's malloc (bench/RESULTS.md). KT_ALLOCATOR=system keeps glibc's. Fuzz
# builds keep the sanitizers' own allocator.
set(KT_ALLOCATOR "tcmalloc" CACHE STRING "Allocator linked into executables: tcmalloc or system")
set(KT_ALLOCATOR_LIB "")
if(KT_ALLOCATOR STREQUAL "tcmalloc" AND NOT KT_FUZZ)
  find_library(KT_TCMALLOC_LIB NAMES tcmalloc_minimal)
  find_path(KT_TCMALLOC_INCLUDE gperftools/malloc_extension.h)
  if(KT_TCMALLOC_LIB)
    set(KT_ALLOCATOR_LIB ${KT_TCMALLOC_LIB})
  else()
    message(WARNING "tcmalloc_minimal not found (scripts/setup.sh installs "
                    "libgoogle-perftools-dev); using glibc's malloc")
  endif()
endif()
# With tcmalloc, its system memory comes from huge-page chunks (base/huge_page_heap.h).
set(KT_HUGE_PAGE_HEAP OFF)
if(KT_ALLOCATOR_LIB AND KT_TCMALLOC_INCLUDE AND CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(KT_HUGE_PAGE_HEAP ON)
endif()
message(STATUS "kaito-twin: allocator ${KT_ALLOCATOR_LIB} (huge-page heap: ${KT_HUGE_PAGE_HEAP})")

# CUDA: compiled whenever nvcc exists so a broken kernel never hides; tests skip without a GPU.
set(KT_HAVE_CUDA OFF)
if(NOT KT_CUDA STREQUAL "OFF" AND NOT KT_FUZZ)
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES OFF)  # arch flags set per target (sm_80 and sm_90a)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(KT_HAVE_CUDA ON)
  elseif(KT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "KT_CUDA=ON but no nvcc found")
  endif()
endif()
message(STATUS "kaito-twin: CUDA kernels ${KT_HAVE_CUDA}")
