#include "runtime/certs.hpp"

#include <gtest/gtest.h>

namespace plexichat::runtime {
namespace {

class certs_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ca_ = new pem_pair(create_ca("Test CA", 30));
    other_ca_ = new pem_pair(create_ca("Other CA", 30));
  }
  static void TearDownTestSuite() {
    delete ca_;
    delete other_ca_;
  }
  static pem_pair* ca_;
  static pem_pair* other_ca_;
};

pem_pair* certs_test::ca_ = nullptr;
pem_pair* certs_test::other_ca_ = nullptr;

TEST_F(certs_test, ca_is_pem_and_names_itself) {
  EXPECT_EQ(ca_->certificate.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
  EXPECT_EQ(ca_->key.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  EXPECT_EQ(certificate_common_name(ca_->certificate), "Test CA");
  EXPECT_TRUE(key_matches_certificate(ca_->key, ca_->certificate));
  EXPECT_EQ(verify_certificate(ca_->certificate, ca_->certificate), "");
}

TEST_F(certs_test, node_certificate_chains_to_its_ca_only) {
  auto node = create_node_certificate(*ca_, "node-a", 30);
  EXPECT_EQ(certificate_common_name(node.certificate), "node-a");
  EXPECT_TRUE(key_matches_certificate(node.key, node.certificate));
  EXPECT_FALSE(key_matches_certificate(ca_->key, node.certificate));
  EXPECT_EQ(verify_certificate(ca_->certificate, node.certificate), "");
  EXPECT_NE(verify_certificate(other_ca_->certificate, node.certificate), "");
}

TEST_F(certs_test, each_node_gets_its_own_key) {
  auto a = create_node_certificate(*ca_, "a", 30);
  auto b = create_node_certificate(*ca_, "b", 30);
  EXPECT_NE(a.key, b.key);
  EXPECT_FALSE(key_matches_certificate(a.key, b.certificate));
}

TEST_F(certs_test, a_node_certificate_cannot_act_as_a_ca) {
  auto node = create_node_certificate(*ca_, "node-a", 30);
  // Signing is possible, but the chain must not verify: node-a is not a CA.
  auto forged = create_node_certificate(node, "intruder", 30);
  EXPECT_NE(verify_certificate(ca_->certificate, forged.certificate), "");
}

TEST_F(certs_test, expired_certificate_is_refused) {
  auto node = create_node_certificate(*ca_, "old", -1);
  EXPECT_EQ(verify_certificate(ca_->certificate, node.certificate), "certificate has expired");
}

TEST_F(certs_test, mismatched_ca_pair_is_refused) {
  pem_pair mixed{ca_->certificate, other_ca_->key};
  EXPECT_THROW(create_node_certificate(mixed, "x", 30), cert_error);
}

TEST_F(certs_test, garbage_pem_throws_cert_error) {
  EXPECT_THROW(certificate_common_name("not a certificate"), cert_error);
  EXPECT_THROW(verify_certificate(ca_->certificate, "-----BEGIN CERTIFICATE-----\nAAAA\n"),
               cert_error);
  EXPECT_THROW(key_matches_certificate("junk", ca_->certificate), cert_error);
}

}  // namespace
}  // namespace plexichat::runtime
