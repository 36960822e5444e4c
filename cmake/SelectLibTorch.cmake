# Which LibTorch the whole project (core, CLI, workbench, tests) is built against.
#
#   default                Debian's libtorch-dev (CPU), found on the system prefix
#   SCNS_LIBTORCH=DIR      a LibTorch given by the user, as a CMake cache variable or an
#                          environment variable: an unpacked LibTorch zip (DIR/share/cmake/Torch),
#                          PyTorch's `torch.utils.cmake_prefix_path` (DIR/Torch), or the folder
#                          holding TorchConfig.cmake itself
#   CMAKE_PREFIX_PATH      the usual CMake way works as well
#
# After find_package(Torch) it checks the LibTorch's C++ string ABI against the rest of the
# build: Debian's Qt 6 (and every C++ library Debian ships) uses the C++11 ABI, so a LibTorch
# built with _GLIBCXX_USE_CXX11_ABI=0 can only build the parts that use no Qt (the command line
# with SCNS_BUILD_UI=OFF and SCNS_BUILD_TESTS=OFF). docs/packaging.md, "Building against
# another LibTorch".

set(SCNS_LIBTORCH "$ENV{SCNS_LIBTORCH}" CACHE PATH
    "LibTorch to build against (empty: Debian's libtorch-dev or CMAKE_PREFIX_PATH)")

# A different SCNS_LIBTORCH in an existing build folder: forget what the last one found.
if(NOT "${SCNS_LIBTORCH}" STREQUAL "${_SCNS_LIBTORCH_USED}")
  foreach(_var Torch_DIR Caffe2_DIR kineto_LIBRARY c10_LIBRARY TORCH_LIBRARY c10_cuda_LIBRARY
               TORCH_CUDA_LIBRARY)
    unset(${_var} CACHE)
  endforeach()
  set(_SCNS_LIBTORCH_USED "${SCNS_LIBTORCH}" CACHE INTERNAL "SCNS_LIBTORCH of the last configure")
endif()

if(SCNS_LIBTORCH)
  get_filename_component(_scns_lt "${SCNS_LIBTORCH}" ABSOLUTE)
  if(EXISTS "${_scns_lt}/share/cmake/Torch/TorchConfig.cmake")
    set(Torch_DIR "${_scns_lt}/share/cmake/Torch")
  elseif(EXISTS "${_scns_lt}/Torch/TorchConfig.cmake")
    set(Torch_DIR "${_scns_lt}/Torch")
  elseif(EXISTS "${_scns_lt}/TorchConfig.cmake")
    set(Torch_DIR "${_scns_lt}")
  elseif(EXISTS "${_scns_lt}/lib/x86_64-linux-gnu/cmake/Torch/TorchConfig.cmake")
    set(Torch_DIR "${_scns_lt}/lib/x86_64-linux-gnu/cmake/Torch")
  else()
    message(FATAL_ERROR
      "SCNS_LIBTORCH=${SCNS_LIBTORCH}: expected a LibTorch folder holding "
      "share/cmake/Torch/TorchConfig.cmake (an unpacked LibTorch zip), Torch/TorchConfig.cmake "
      "(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)') or TorchConfig.cmake "
      "itself; found none of them")
  endif()
  set(Torch_DIR "${Torch_DIR}" CACHE PATH "LibTorch's CMake folder (from SCNS_LIBTORCH)" FORCE)
endif()

find_package(Torch REQUIRED)

# The C++ string ABI the LibTorch was built with (TorchConfig.cmake puts it in TORCH_CXX_FLAGS;
# without the define the compiler's default, the C++11 ABI, applies).
set(SCNS_TORCH_CXX11_ABI 1)
if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=([01])")
  set(SCNS_TORCH_CXX11_ABI ${CMAKE_MATCH_1})
endif()
set(SCNS_TORCH_CUDA NO)
if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CUDA_FOUND)
  set(SCNS_TORCH_CUDA YES)
endif()
message(STATUS "LibTorch ${Torch_VERSION} from ${Torch_DIR}: CUDA ${SCNS_TORCH_CUDA}, "
               "C++11 string ABI ${SCNS_TORCH_CXX11_ABI}")

if(SCNS_TORCH_CXX11_ABI STREQUAL "0" AND (SCNS_BUILD_UI OR SCNS_BUILD_TESTS))
  message(FATAL_ERROR
    "The LibTorch in ${Torch_DIR} is built with the pre-C++11 string ABI "
    "(_GLIBCXX_USE_CXX11_ABI=0), but Qt 6 from Debian, which the workbench and the tests use, is "
    "built with the C++11 ABI; the two cannot be linked into one program. Use a LibTorch with "
    "the C++11 ABI: the 'cxx11 ABI' LibTorch zip from pytorch.org (unpack it and pass "
    "SCNS_LIBTORCH=its folder), a PyTorch whose python3 -c 'import torch; "
    "print(torch.compiled_with_cxx11_abi())' prints True, or Debian's libtorch-dev (CPU). "
    "Or build the command line alone with this LibTorch: -DSCNS_BUILD_UI=OFF -DSCNS_BUILD_TESTS=OFF.")
endif()

# Everything that exchanges std::string with core must use the LibTorch's ABI: apply its
# flags project-wide (a no-op for a C++11-ABI LibTorch).
if(TORCH_CXX_FLAGS)
  separate_arguments(_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  add_compile_options(${_torch_flags})
endif()
