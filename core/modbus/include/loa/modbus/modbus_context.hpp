#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

// libmodbus's types stay in the .cpp.
struct _modbus;

namespace loa::modbus {

// A libmodbus failure with its errno (EMBXILADD, ETIMEDOUT, EMBBADCRC ...).
class ModbusError : public std::runtime_error {
 public:
  ModbusError(int code, const std::string& what);
  [[nodiscard]] int code() const { return code_; }
  [[nodiscard]] bool timed_out() const;

 private:
  int code_;
};

struct TcpEndpoint {
  std::string host;
  int port = 502;
};

struct RtuEndpoint {
  std::string device;  // /dev/ttyUSB0, or one end of a pty pair
  int baud = 9600;
  char parity = 'N';
  int data_bits = 8;
  int stop_bits = 1;
};

// One libmodbus context (client or server side). Move-only; closed and freed on
// destruction. Expected failures (timeouts, bad CRC, exceptions from the device) come
// back as std::nullopt / false with last_error() set; only misuse throws.
class ModbusContext {
 public:
  static ModbusContext tcp(const TcpEndpoint& endpoint);
  static ModbusContext rtu(const RtuEndpoint& endpoint);

  ModbusContext(ModbusContext&& other) noexcept;
  ModbusContext& operator=(ModbusContext&& other) noexcept;
  ModbusContext(const ModbusContext&) = delete;
  ModbusContext& operator=(const ModbusContext&) = delete;
  ~ModbusContext();

  void set_unit(int unit_id);
  void set_response_timeout(std::chrono::milliseconds timeout);
  [[nodiscard]] bool connect();
  void close();
  [[nodiscard]] bool connected() const { return connected_; }
  // Discards whatever is buffered (after garbage on the line).
  void flush();

  // Client requests. nullopt / false on failure; see last_error().
  [[nodiscard]] std::optional<std::vector<std::uint16_t>> read_holding(int address, int count);
  [[nodiscard]] std::optional<std::vector<std::uint16_t>> read_input(int address, int count);
  [[nodiscard]] std::optional<std::vector<std::uint8_t>> read_coils(int address, int count);
  [[nodiscard]] std::optional<std::vector<std::uint8_t>> read_discrete(int address, int count);
  [[nodiscard]] bool write_register(int address, std::uint16_t value);
  [[nodiscard]] bool write_coil(int address, bool value);

  [[nodiscard]] int last_error() const { return last_error_; }
  [[nodiscard]] std::string last_error_text() const;
  // True when the last failure was on the line (timeout, bad CRC, a malformed or
  // exception reply), false when the port or connection itself failed.
  [[nodiscard]] bool last_error_is_on_the_line() const;

  // Server side (device simulator).
  [[nodiscard]] int listen_tcp(int backlog);  // returns the listening socket
  [[nodiscard]] int accept_tcp(int& listen_socket);
  void set_socket(int fd);
  [[nodiscard]] int socket() const;
  // Waits for one request; returns its length, 0 if it was not for us, -1 on error.
  [[nodiscard]] int receive(std::vector<std::uint8_t>& request);
  // RTU, for a port that serves several units (an RS-485 bus): reads one request frame
  // whatever unit it names, CRC checked; its length, or 0 (nothing whole within the
  // timeout, or a damaged frame: the line is flushed). libmodbus's own receive takes one
  // unit id, and after a frame for another unit it drops the next frame as that unit's
  // answer, which on a pty pair (no echo of the other units' answers) is a request.
  [[nodiscard]] int receive_any_unit(std::vector<std::uint8_t>& request, int timeout_ms);
  [[nodiscard]] int header_length() const;

  [[nodiscard]] _modbus* handle() const { return ctx_; }

 private:
  explicit ModbusContext(_modbus* ctx);
  template <typename T, typename F>
  std::optional<std::vector<T>> read(int count, F&& call);

  _modbus* ctx_ = nullptr;
  bool connected_ = false;
  int last_error_ = 0;
};

// Largest request sizes the protocol allows.
inline constexpr int kMaxRegistersPerRead = 125;
inline constexpr int kMaxBitsPerRead = 2000;

}  // namespace loa::modbus

struct _modbus_mapping_t;

namespace loa::modbus {

// The register image a Modbus server answers from (libmodbus's modbus_mapping_t), all
// four tables starting at address 0. Move-only; freed on destruction.
class RegisterImage {
 public:
  RegisterImage(int coils, int discrete_inputs, int holding_registers, int input_registers);
  RegisterImage(RegisterImage&& other) noexcept;
  RegisterImage& operator=(RegisterImage&&) = delete;
  RegisterImage(const RegisterImage&) = delete;
  RegisterImage& operator=(const RegisterImage&) = delete;
  ~RegisterImage();

  [[nodiscard]] std::uint8_t& coil(int address);
  [[nodiscard]] std::uint8_t& discrete(int address);
  [[nodiscard]] std::uint16_t& holding(int address);
  [[nodiscard]] std::uint16_t& input(int address);

  // Answers one request received on `context` (reads, and writes into this image).
  // Returns false when the reply could not be sent.
  bool reply(ModbusContext& context, const std::vector<std::uint8_t>& request);

 private:
  _modbus_mapping_t* map_;
};

}  // namespace loa::modbus
