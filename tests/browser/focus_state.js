// The focused element as a keyboard user sees it: its tag and name, whether a focus ring is drawn,
// the best contrast of the ring's colours (outline, box-shadow) against the background around the
// element (WCAG 1.4.11 asks 3:1), and whether it is on screen. Called with the element.
el => {
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow !== '' && style.boxShadow !== 'none';
  const rgb = c => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = c => rgb(c).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
  let around = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg !== 'transparent' && !/rgba\(.*, 0\)$/.test(bg)) { around = bg; break; }
  }
  const colours = [...(outline ? [style.outlineColor] : []),
                   ...(shadow ? style.boxShadow.match(/rgba?\([^)]*\)/g) : [])];
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 40),
    ring: outline || shadow, contrast: Math.max(0, ...colours.map(c => ratio(c, around))),
    inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
  };
}
