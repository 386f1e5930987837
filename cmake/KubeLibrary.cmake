# kube_cc_library(): the one way this project declares a library.
#
#   kube_cc_library(NAME core
#     SRCS src/core/a.cc ...
#     DEPS Boost::json ...           # public link dependencies
#     PRIVATE_DEPS simdjson::simdjson
#     PRIVATE_INCLUDES ...)
#
# creates target `kube_<name>` with the alias `kube::<name>` (the name users link against after
# find_package(kube CONFIG)), puts public headers under include/, and adds the target to the
# `kubeTargets` install export.
include_guard(GLOBAL)

function(kube_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS;PRIVATE_INCLUDES;PUBLIC_INCLUDES" ${ARGN})
  set(target kube_${ARG_NAME})
  add_library(${target} ${ARG_SRCS})
  add_library(kube::${ARG_NAME} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${ARG_NAME} OUTPUT_NAME kube_${ARG_NAME})
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  foreach(dir IN LISTS ARG_PUBLIC_INCLUDES)
    target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${dir}>)
  endforeach()
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${ARG_PRIVATE_INCLUDES})
  target_link_libraries(${target} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  target_compile_options(${target} PRIVATE ${KUBE_WARNINGS})
  install(TARGETS ${target} EXPORT kubeTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# kube_cc_test(NAME SRCS DEPS): a GoogleTest binary in build/bin, registered with ctest.
function(kube_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${ARG_NAME} PRIVATE ${KUBE_WARNINGS})
  target_compile_definitions(${ARG_NAME} PRIVATE
    KUBE_SOURCE_DIR="${PROJECT_SOURCE_DIR}" KUBE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${ARG_NAME} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()
