/**
 * How sure the AI was, in words an owner reads. A percentage ("把握 84%") reads like a precise
 * measurement, which the answerer's score is not; three plain steps say what the owner needs.
 */
export function confidenceWords(confidence: number): '很有把握' | '比较有把握' | '不太确定' {
  if (confidence >= 0.8) return '很有把握';
  if (confidence >= 0.5) return '比较有把握';
  return '不太确定';
}
