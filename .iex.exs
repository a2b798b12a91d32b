# iex -S mix in beamr's folder: wasm results are lists of integers, so show
# them as lists ({:ok, [42]}), not as charlists ({:ok, '*'}).
IEx.configure(inspect: [charlists: :as_lists])
