#define BOOST_TEST_MODULE ocop_integration_tests
#include <boost/test/unit_test.hpp>

#include "fixture.hpp"

// OCOP_TEST_BACKEND=postgresql without a server: skip the whole run (exit 77).
using ocop::testing::BackendCheck;
BOOST_TEST_GLOBAL_FIXTURE(BackendCheck);
