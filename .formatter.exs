# mix format: the Elixir sources of beamr.
[
  inputs: ["mix.exs", ".formatter.exs", "lib/**/*.ex", "test/elixir/**/*.{ex,exs}"],
  line_length: 100
]
