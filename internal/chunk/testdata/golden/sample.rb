# frozen_string_literal: true

require "json"
require "net/http"

DEFAULT_HOST = "api.example.com"
TIMEOUT = 5
RETRIES = 3

# Client talks to the Example API.
module Example
  VERSION = "1.2.0"

  # Error is raised for any non-2xx response.
  class Error < StandardError; end

  # Client wraps one HTTP connection.
  # It is not thread-safe.
  class Client
    attr_reader :host

    # Config holds the connection settings.
    class Config
      def initialize(timeout: TIMEOUT)
        @timeout = timeout
      end

      def to_h
        { timeout: @timeout }
      end
    end

    def initialize(host = DEFAULT_HOST, config: Config.new)
      @host = host
      @config = config
    end

    # get fetches path and parses the JSON body.
    def get(path, params = {})
      uri = URI::HTTPS.build(host: host, path: path, query: URI.encode_www_form(params))
      res = with_retries { Net::HTTP.get_response(uri) }
      raise Error, "GET #{path}: #{res.code}" unless res.is_a?(Net::HTTPSuccess)

      JSON.parse(res.body)
    end

    def self.default
      @default ||= new
    end

    private

    def with_retries
      attempts = 0
      begin
        yield
      rescue Net::OpenTimeout
        attempts += 1
        retry if attempts < RETRIES
        raise
      end
    end
  end
end

def main(argv)
  client = Example::Client.default
  argv.each { |path| puts client.get(path) }
end

main(ARGV) if $PROGRAM_NAME == __FILE__
