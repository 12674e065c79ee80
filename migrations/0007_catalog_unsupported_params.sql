-- Request parameters a model refuses (reasoning models take no sampling controls). Routes decide whether
-- such a parameter is dropped before the request goes out or the request is refused.
ALTER TABLE model_catalog ADD COLUMN unsupported_params TEXT NOT NULL DEFAULT '[]';
UPDATE model_catalog SET unsupported_params = '["temperature","top_p","presence_penalty","frequency_penalty","logprobs","top_logprobs","logit_bias"]'
    WHERE kind = 'openai' AND (model LIKE 'o%' OR model LIKE 'gpt-5%');
UPDATE model_catalog SET unsupported_params = '["seed","n","logprobs","top_logprobs","logit_bias","presence_penalty","frequency_penalty"]'
    WHERE kind IN ('anthropic', 'bedrock') AND model LIKE '%claude%';
ALTER TABLE routes ADD COLUMN unsupported_params TEXT NOT NULL DEFAULT 'drop';
