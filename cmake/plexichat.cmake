# plexichat_library(NAME SOURCES ... DEPS ...)
# Declares one folder's library as plexichat_<name> with the alias plexichat::<name>.
# Headers are included by path from the repository root ("storage/database.hpp").
function(plexichat_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;DEPS" ${ARGN})
  add_library(plexichat_${name} STATIC ${arg_SOURCES})
  add_library(plexichat::${name} ALIAS plexichat_${name})
  target_include_directories(plexichat_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(plexichat_${name} PUBLIC ${arg_DEPS})
endfunction()

# plexichat_test(FOLDER NAME) builds tests/unit/FOLDER/NAME.cpp as one ctest entry.
function(plexichat_test folder name)
  set(target ${folder}_${name})
  add_executable(${target} ${PROJECT_SOURCE_DIR}/tests/unit/${folder}/${name}.cpp)
  target_link_libraries(${target} PRIVATE ${ARGN} GTest::gtest GTest::gtest_main)
  add_test(NAME unit.${folder}.${name} COMMAND ${target})
  set_tests_properties(unit.${folder}.${name} PROPERTIES TIMEOUT 300 LABELS unit)
endfunction()
