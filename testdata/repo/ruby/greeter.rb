# Greeter says hello in several languages.
class Greeter
  GREETINGS = { en: "Hello", fr: "Bonjour", de: "Hallo" }.freeze

  def initialize(lang = :en)
    @lang = lang
  end

  # greet returns a greeting for name.
  def greet(name)
    "#{GREETINGS.fetch(@lang)}, #{name}!"
  end
end
