# Warnings are errors for every target of ours (Cutelyst's set_compiler_flags()).
function(confab_set_compiler_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wno-error=deprecated-declarations)
endfunction()

# confab_add_test(tst_name [SOURCES ...] LIBS ... [LABELS unit|integration] [FIXTURES name...])
# Sources default to tst_name.cpp beside the calling CMakeLists.txt.
function(confab_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;FIXTURES" ${ARGN})
  if(NOT T_SOURCES)
    set(T_SOURCES ${name}.cpp)
  endif()
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test ${T_LIBS})
  confab_set_compiler_flags(${name})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CONFAB_TEST_ENV=${CONFAB_TEST_ENV_FILE};CONFAB_BIN_DIR=${PROJECT_BINARY_DIR}")
  if(T_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()

# The same test executable once more as <name>_<suffix>, with one more environment setting
# (`setting`, VAR=value) and its own labels. FIXTURES as for confab_add_test.
function(confab_add_test_variant name suffix setting labels)
  cmake_parse_arguments(T "" "" "FIXTURES" ${ARGN})
  add_test(NAME ${name}_${suffix} COMMAND ${name})
  set_tests_properties(${name}_${suffix} PROPERTIES LABELS "${labels}" TIMEOUT 300
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;CONFAB_TEST_ENV=${CONFAB_TEST_ENV_FILE};CONFAB_BIN_DIR=${PROJECT_BINARY_DIR};${setting}")
  if(T_FIXTURES)
    set_tests_properties(${name}_${suffix} PROPERTIES FIXTURES_REQUIRED "${T_FIXTURES}")
  endif()
endfunction()

# On a Redis without confab's module (testenv.cpp reads CONFAB_TEST_REDIS_NO_MODULE):
# Client::evalScript's fallback runs the Lua scripts, as Redis Cluster and managed Redis do.
function(confab_add_lua_variant name)
  confab_add_test_variant(${name} lua CONFAB_TEST_REDIS_NO_MODULE=1 integration ${ARGN})
endfunction()

# Its nodes on a 3-master Redis Cluster of its own instead of one redis-server
# (tests/integration/harness.cpp reads CONFAB_TEST_REDIS_TOPOLOGY; the fixture is
# tests/support/rediscluster.h). Label cluster.
function(confab_add_redis_cluster_variant name)
  confab_add_test_variant(${name} rediscluster CONFAB_TEST_REDIS_TOPOLOGY=cluster "integration;cluster"
    FIXTURES services)
endfunction()
