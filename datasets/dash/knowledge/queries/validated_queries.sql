-- Validated query patterns for the Acme Analytics warehouse.
-- Written for PostgreSQL. Each pattern starts with a "-- name:" line, followed by
-- "-- question:" and "-- summary:" lines, and ends with a semicolon.

-- name: current_mrr
-- question: What is our current MRR?
-- summary: Sum of MRR over running subscriptions, with the number of subscriptions.
SELECT
    ROUND(SUM(mrr), 2) AS current_mrr,
    COUNT(*) AS active_subscriptions
FROM subscriptions
WHERE status = 'active';

-- name: mrr_by_plan
-- question: How is MRR split across plans?
-- summary: Active MRR per plan with its share of the total.
SELECT
    plan,
    COUNT(*) AS subscriptions,
    ROUND(SUM(mrr), 2) AS mrr,
    ROUND(100.0 * SUM(mrr) / SUM(SUM(mrr)) OVER (), 1) AS pct_of_total
FROM subscriptions
WHERE status = 'active'
GROUP BY plan
ORDER BY mrr DESC;

-- name: monthly_mrr_trend
-- question: How has MRR developed month by month?
-- summary: MRR of subscriptions running at the start of each month, up to today.
SELECT
    m.month::date AS month,
    ROUND(SUM(s.mrr)::numeric, 2) AS mrr
FROM generate_series(DATE_TRUNC('month', DATE '2024-01-01'),
                     DATE_TRUNC('month', CURRENT_DATE),
                     INTERVAL '1 month') AS m(month)
JOIN subscriptions s
  ON s.started_at <= m.month
 AND (s.ended_at IS NULL OR s.ended_at > m.month)
GROUP BY m.month
ORDER BY m.month;

-- name: churn_rate_by_plan
-- question: What is the churn rate for each plan?
-- summary: Cancelled subscriptions as a share of all subscriptions on the plan.
SELECT
    plan,
    COUNT(*) FILTER (WHERE status = 'cancelled') AS cancelled,
    COUNT(*) AS total,
    ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'cancelled') / COUNT(*), 1) AS churn_rate_pct
FROM subscriptions
GROUP BY plan
ORDER BY churn_rate_pct DESC;

-- name: cohort_retention
-- question: How well do signup cohorts retain?
-- summary: Share of each monthly signup cohort that is still active.
SELECT
    DATE_TRUNC('month', signup_date)::date AS cohort,
    COUNT(*) AS customers,
    COUNT(*) FILTER (WHERE status = 'active') AS retained,
    ROUND(100.0 * COUNT(*) FILTER (WHERE status = 'active') / COUNT(*), 1) AS retention_pct
FROM customers
GROUP BY 1
ORDER BY 1;

-- name: revenue_by_source
-- question: Which acquisition channels bring the most revenue?
-- summary: Active MRR and customer count per acquisition source.
SELECT
    c.source,
    COUNT(DISTINCT c.id) AS customers,
    ROUND(SUM(s.mrr), 2) AS mrr
FROM customers c
JOIN subscriptions s ON s.customer_id = c.id
WHERE s.status = 'active'
GROUP BY c.source
ORDER BY mrr DESC;

-- name: at_risk_customers
-- question: Which customers are at risk of churning?
-- summary: Active customers whose API usage over the last 30 days fell below half of their
--          90-day average, largest accounts first.
WITH recent AS (
    SELECT customer_id, AVG(api_calls) AS calls_30d
    FROM usage_metrics
    WHERE metric_date >= CURRENT_DATE - INTERVAL '30 days'
    GROUP BY customer_id
), baseline AS (
    SELECT customer_id, AVG(api_calls) AS calls_90d
    FROM usage_metrics
    WHERE metric_date >= CURRENT_DATE - INTERVAL '90 days'
    GROUP BY customer_id
)
SELECT c.company_name, s.plan, s.mrr,
       COALESCE(r.calls_30d, 0) AS calls_30d,
       COALESCE(b.calls_90d, 0) AS calls_90d
FROM customers c
JOIN subscriptions s ON s.customer_id = c.id AND s.status = 'active'
LEFT JOIN recent r ON r.customer_id = c.id
LEFT JOIN baseline b ON b.customer_id = c.id
WHERE COALESCE(r.calls_30d, 0) < 0.5 * COALESCE(b.calls_90d, 0)
   OR r.calls_30d IS NULL
ORDER BY s.mrr DESC
LIMIT 20;

-- name: net_revenue_retention
-- question: What is our net revenue retention over the last 12 months?
-- summary: Starting MRR a year ago plus expansion minus contraction and churn, over starting MRR.
WITH start_mrr AS (
    SELECT SUM(mrr) AS mrr
    FROM subscriptions
    WHERE started_at <= CURRENT_DATE - INTERVAL '12 months'
      AND (ended_at IS NULL OR ended_at > CURRENT_DATE - INTERVAL '12 months')
), moves AS (
    SELECT
        SUM(new_mrr - previous_mrr) FILTER (WHERE change_type = 'upgrade') AS expansion,
        -SUM(new_mrr - previous_mrr) FILTER (WHERE change_type = 'downgrade') AS contraction,
        SUM(previous_mrr) FILTER (WHERE change_type = 'cancellation') AS churned
    FROM plan_changes
    WHERE changed_at > CURRENT_DATE - INTERVAL '12 months'
)
SELECT ROUND(100.0 * (s.mrr + m.expansion - m.contraction - m.churned) / s.mrr, 1) AS nrr_pct
FROM start_mrr s CROSS JOIN moves m;

-- name: cancellation_reasons
-- question: Why do customers cancel?
-- summary: Cancelled subscriptions per reason with the MRR lost.
SELECT
    cancellation_reason,
    COUNT(*) AS cancellations,
    ROUND(SUM(mrr), 2) AS mrr_lost,
    ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 1) AS pct
FROM subscriptions
WHERE status = 'cancelled'
GROUP BY cancellation_reason
ORDER BY cancellations DESC;

-- name: support_quality
-- question: How good is our support?
-- summary: Ticket volume, average resolution time in hours and CSAT per priority.
SELECT
    priority,
    COUNT(*) AS tickets,
    ROUND(AVG(EXTRACT(EPOCH FROM (resolved_at - created_at)) / 3600)::numeric, 1) AS avg_resolution_hours,
    ROUND(AVG(satisfaction_score), 2) AS csat
FROM support_tickets
WHERE resolved_at IS NOT NULL
GROUP BY priority
ORDER BY CASE priority WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3 ELSE 4 END;
