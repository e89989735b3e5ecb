#define BOOST_TEST_MODULE ocop_unit_tests
#include <boost/test/unit_test.hpp>
