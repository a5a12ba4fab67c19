// The `warden` binary as a test sees it: run it with arguments in a scratch
// directory and collect the exit code and both streams (cli_test,
// repro_test).
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class Command : public ::testing::Test {
 protected:
  void SetUp() override {
    // The binary is build/<preset>/warden; this test is build/<preset>/tests/cli_test.
    auto self = std::filesystem::read_symlink("/proc/self/exe");
    warden_ = self.parent_path().parent_path() / "warden";
    ASSERT_TRUE(std::filesystem::exists(warden_)) << warden_ << " not built";
    dir_ = std::filesystem::temp_directory_path() / ("warden_cli_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }

  Outcome warden(const std::string& args) { return warden_shell(warden_.string() + " " + args); }
  Outcome warden_shell(const std::string& command) {
    auto out = dir_ / "stdout", err = dir_ / "stderr";
    std::string cmd = command + " >" + out.string() + " 2>" + err.string();
    int status = std::system(cmd.c_str());
    Outcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = slurp(out);
    o.err = slurp(err);
    return o;
  }

  std::filesystem::path warden_, dir_;
};

}  // namespace
