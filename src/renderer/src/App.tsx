export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 32 }}>
      <h1>Berth</h1>
      <p>Your private container registry. The registry runs; the window arrives with its own issue.</p>
    </main>
  )
}
