#define BOOST_TEST_MODULE ocop_integration_tests
#include <boost/test/unit_test.hpp>
