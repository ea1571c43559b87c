#include "loa/modbus/modbus_context.hpp"

#include <poll.h>
#include <unistd.h>

#include <modbus/modbus.h>

#include <cerrno>
#include <utility>

namespace loa::modbus {

ModbusError::ModbusError(int code, const std::string& what)
    : std::runtime_error(what + ": " + modbus_strerror(code)), code_(code) {}

bool ModbusError::timed_out() const { return code_ == ETIMEDOUT; }

ModbusContext::ModbusContext(_modbus* ctx) : ctx_(ctx) {}

ModbusContext ModbusContext::tcp(const TcpEndpoint& e) {
  auto* ctx = modbus_new_tcp(e.host.c_str(), e.port);
  if (!ctx) throw ModbusError(errno, "modbus TCP " + e.host + ":" + std::to_string(e.port));
  return ModbusContext(ctx);
}

ModbusContext ModbusContext::rtu(const RtuEndpoint& e) {
  auto* ctx = modbus_new_rtu(e.device.c_str(), e.baud, e.parity, e.data_bits, e.stop_bits);
  if (!ctx) throw ModbusError(errno, "modbus RTU " + e.device);
  return ModbusContext(ctx);
}

ModbusContext::ModbusContext(ModbusContext&& other) noexcept
    : ctx_(std::exchange(other.ctx_, nullptr)),
      connected_(std::exchange(other.connected_, false)),
      last_error_(other.last_error_) {}

ModbusContext& ModbusContext::operator=(ModbusContext&& other) noexcept {
  if (this != &other) {
    close();
    if (ctx_) modbus_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
    connected_ = std::exchange(other.connected_, false);
    last_error_ = other.last_error_;
  }
  return *this;
}

ModbusContext::~ModbusContext() {
  close();
  if (ctx_) modbus_free(ctx_);
}

void ModbusContext::set_unit(int unit_id) { modbus_set_slave(ctx_, unit_id); }

void ModbusContext::set_response_timeout(std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  modbus_set_response_timeout(ctx_, static_cast<uint32_t>(ms / 1000), static_cast<uint32_t>((ms % 1000) * 1000));
}

bool ModbusContext::connect() {
  if (connected_) return true;
  if (modbus_connect(ctx_) != 0) {
    last_error_ = errno;
    return false;
  }
  connected_ = true;
  return true;
}

void ModbusContext::close() {
  if (ctx_ && connected_) modbus_close(ctx_);
  connected_ = false;
}

void ModbusContext::flush() {
  if (connected_) modbus_flush(ctx_);
}

template <typename T, typename F>
std::optional<std::vector<T>> ModbusContext::read(int count, F&& call) {
  std::vector<T> out(static_cast<std::size_t>(count));
  int n = call(out.data());
  if (n != count) {
    last_error_ = n < 0 ? errno : EMBBADDATA;
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<std::uint16_t>> ModbusContext::read_holding(int address, int count) {
  return read<std::uint16_t>(count, [&](std::uint16_t* d) { return modbus_read_registers(ctx_, address, count, d); });
}

std::optional<std::vector<std::uint16_t>> ModbusContext::read_input(int address, int count) {
  return read<std::uint16_t>(count,
                             [&](std::uint16_t* d) { return modbus_read_input_registers(ctx_, address, count, d); });
}

std::optional<std::vector<std::uint8_t>> ModbusContext::read_coils(int address, int count) {
  return read<std::uint8_t>(count, [&](std::uint8_t* d) { return modbus_read_bits(ctx_, address, count, d); });
}

std::optional<std::vector<std::uint8_t>> ModbusContext::read_discrete(int address, int count) {
  return read<std::uint8_t>(count, [&](std::uint8_t* d) { return modbus_read_input_bits(ctx_, address, count, d); });
}

bool ModbusContext::write_register(int address, std::uint16_t value) {
  if (modbus_write_register(ctx_, address, value) != 1) {
    last_error_ = errno;
    return false;
  }
  return true;
}

bool ModbusContext::write_coil(int address, bool value) {
  if (modbus_write_bit(ctx_, address, value ? 1 : 0) != 1) {
    last_error_ = errno;
    return false;
  }
  return true;
}

std::string ModbusContext::last_error_text() const { return modbus_strerror(last_error_); }

bool ModbusContext::last_error_is_on_the_line() const {
  return last_error_ == ETIMEDOUT || last_error_ == EMBBADCRC || last_error_ == EMBBADDATA ||
         last_error_ == EMBBADSLAVE || last_error_ >= MODBUS_ENOBASE;
}

int ModbusContext::listen_tcp(int backlog) {
  int s = modbus_tcp_listen(ctx_, backlog);
  if (s < 0) throw ModbusError(errno, "modbus TCP listen");
  return s;
}

int ModbusContext::accept_tcp(int& listen_socket) { return modbus_tcp_accept(ctx_, &listen_socket); }

void ModbusContext::set_socket(int fd) { modbus_set_socket(ctx_, fd); }

int ModbusContext::socket() const { return modbus_get_socket(ctx_); }

int ModbusContext::receive(std::vector<std::uint8_t>& request) {
  request.resize(MODBUS_MAX_ADU_LENGTH);
  int n = modbus_receive(ctx_, request.data());
  if (n < 0) last_error_ = errno;
  request.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return n;
}

namespace {

std::uint16_t crc16(const std::uint8_t* data, std::size_t n) {
  std::uint16_t crc = 0xFFFF;
  for (std::size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001) : static_cast<std::uint16_t>(crc >> 1);
  }
  return crc;
}

// Reads exactly `want` more bytes, each within `timeout_ms`.
bool read_exactly(int fd, std::vector<std::uint8_t>& out, std::size_t want, int timeout_ms) {
  while (want > 0) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    std::uint8_t buf[MODBUS_RTU_MAX_ADU_LENGTH];
    const auto n = ::read(fd, buf, std::min(want, sizeof buf));
    if (n <= 0) return false;
    out.insert(out.end(), buf, buf + n);
    want -= static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int ModbusContext::receive_any_unit(std::vector<std::uint8_t>& request, int timeout_ms) {
  request.clear();
  const int fd = modbus_get_socket(ctx_);
  // Unit and function first; the function says how long the rest is: address and
  // count or value (4 bytes) and the CRC, and for the multiple writes a byte count and
  // that many bytes of data.
  if (!read_exactly(fd, request, 2, timeout_ms)) return 0;
  const std::uint8_t function = request[1];
  bool ok = false;
  if (function >= 0x01 && function <= 0x06) {
    ok = read_exactly(fd, request, 6, 50);
  } else if (function == 0x0F || function == 0x10) {
    ok = read_exactly(fd, request, 5, 50) && read_exactly(fd, request, static_cast<std::size_t>(request[6]) + 2, 50);
  }
  const std::uint16_t crc = ok ? crc16(request.data(), request.size() - 2) : 0;
  if (!ok || request[request.size() - 2] != (crc & 0xFF) || request.back() != (crc >> 8)) {
    modbus_flush(ctx_);
    request.clear();
    return 0;
  }
  return static_cast<int>(request.size());
}

int ModbusContext::header_length() const { return modbus_get_header_length(ctx_); }

}  // namespace loa::modbus

namespace loa::modbus {

RegisterImage::RegisterImage(int coils, int discrete_inputs, int holding_registers, int input_registers)
    : map_(modbus_mapping_new(coils, discrete_inputs, holding_registers, input_registers)) {
  if (!map_) throw ModbusError(errno, "modbus mapping");
}

RegisterImage::RegisterImage(RegisterImage&& other) noexcept : map_(std::exchange(other.map_, nullptr)) {}

RegisterImage::~RegisterImage() {
  if (map_) modbus_mapping_free(map_);
}

std::uint8_t& RegisterImage::coil(int address) { return map_->tab_bits[address]; }
std::uint8_t& RegisterImage::discrete(int address) { return map_->tab_input_bits[address]; }
std::uint16_t& RegisterImage::holding(int address) { return map_->tab_registers[address]; }
std::uint16_t& RegisterImage::input(int address) { return map_->tab_input_registers[address]; }

bool RegisterImage::reply(ModbusContext& context, const std::vector<std::uint8_t>& request) {
  return modbus_reply(context.handle(), request.data(), static_cast<int>(request.size()), map_) >= 0;
}

}  // namespace loa::modbus
